module github.com/loket-id/loket

go 1.26.8

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/oklog/ulid/v2 v2.1.2
	go.etcd.io/bbolt v1.4.3
	golang.org/x/text v0.44.0
)

require golang.org/x/sys v0.50.0 // indirect
