package interop

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestServersSmoke checks, with plain net/http, that each server is set up
// as intended before tokencert judges it: the client and the user get a
// token, and the resource accepts it.
func TestServersSmoke(t *testing.T) {
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) {
			t.Parallel()
			if impl.name == "fosite-jwt" {
				t.Skip("its clients authenticate by private_key_jwt only; TestInterop's valid-assertion check is its smoke test")
			}
			c := defaultConfig()
			e := impl.start(t, c)
			for _, form := range []url.Values{
				{"grant_type": {"client_credentials"}, "scope": {"read write"}},
				{"grant_type": {"password"}, "username": {c.username}, "password": {c.password}, "scope": {"read"}},
			} {
				req, _ := http.NewRequest(http.MethodPost, e.url+e.token, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(c.clients[0].id, c.clients[0].secret)
				status, body := do(t, req)
				if impl.name == "fosite-code" {
					// Its clients are registered for the code grant alone.
					if status != http.StatusBadRequest || !strings.Contains(string(body), "unauthorized_client") {
						t.Errorf("%s grant: %d %s, want unauthorized_client", form.Get("grant_type"), status, body)
					}
					continue
				}
				if status != http.StatusOK {
					t.Fatalf("%s grant: %d %s", form.Get("grant_type"), status, body)
				}
				var tok struct {
					AccessToken  string `json:"access_token"`
					RefreshToken string `json:"refresh_token"`
				}
				if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
					t.Fatalf("%s grant: no access token in %s", form.Get("grant_type"), body)
				}
				if form.Get("grant_type") == "password" && tok.RefreshToken == "" {
					t.Errorf("password grant: no refresh token in %s", body)
				}
				req, _ = http.NewRequest(http.MethodGet, e.url+e.resource, nil)
				req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
				if status, body := do(t, req); status != http.StatusOK {
					t.Errorf("resource refused a fresh %s token: %d %s", form.Get("grant_type"), status, body)
				}
			}
		})
	}
}

func do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}
