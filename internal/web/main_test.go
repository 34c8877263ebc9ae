package web

import (
	"testing"

	"github.com/candorhq/candor/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
