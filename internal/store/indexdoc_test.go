package store_test

import (
	"testing"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/tools/docblock"
)

// docs/operations.md lists the indexes migrate creates; this keeps the list
// true. CANDOR_UPDATE_DOCS=1 rewrites it from the code.
func TestOperationsDocListsEveryIndex(t *testing.T) {
	t.Parallel()
	docblock.Check(t, "../../docs/operations.md", "indexes", store.New(newStore(t).DB()).IndexTable())
}
