package derive

import "errors"

func extractOpenAPI(src []byte, format string) (*facts, error) {
	return nil, errors.New("todo")
}
