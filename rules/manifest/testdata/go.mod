module example.com/ruletest

go 1.26.0

require github.com/modls/modls v0.0.0

require modernc.org/sqlite v1.40.1 // indirect

replace github.com/modls/modls => ../../..

replace modernc.org/sqlite => ../../testdata/sqlitestub
