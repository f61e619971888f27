package sqlpoll

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	mssql "github.com/microsoft/go-mssqldb"
)

// A reading's kind follows the database's classification (erpdb.Classify, which the
// servers' own errors test); a refused login or grant says what to fix.
func TestReadingKinds(t *testing.T) {
	for _, c := range []struct {
		err    error
		want   ErrorKind
		remedy bool
	}{
		{context.DeadlineExceeded, KindTimeout, false},
		{&pgconn.PgError{Code: "57014"}, KindTimeout, false},
		{mssql.Error{Number: 1222}, KindBusy, false}, // LOCK_TIMEOUT, which begin sets to the source's timeout
		{&pgconn.PgError{Code: "40P01"}, KindBusy, false},
		{&mysql.MySQLError{Number: 2013}, KindDown, false},
		{&mysql.MySQLError{Number: 1142}, KindDown, true}, // SELECT command denied for table
		{mssql.Error{Number: 18456}, KindDown, true},
		{&pgconn.PgError{Code: "42P01"}, KindQuery, false},
		{errors.New("sql: Scan error on column index 1"), KindQuery, false},
	} {
		err := fmt.Errorf("the query failed: %w", c.err)
		got := classify(err)
		msg := withRemedy(err).Error()
		if got != c.want || strings.Contains(msg, "check the user, password") != c.remedy || !errors.Is(withRemedy(err), err) {
			t.Errorf("%v: %s, %q; want %s (remedy %v)", c.err, got.State(), msg, c.want.State(), c.remedy)
		}
	}
}
