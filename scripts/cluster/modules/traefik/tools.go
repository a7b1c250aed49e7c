//go:build tools

// The wrapper module that pins Traefik for scripts/cluster/build.sh: the local cluster's ingress
// controller. go.mod repeats Traefik's own replace directives (its forks of go-http-auth, mux and
// minheap); go.sum pins every dependency.
package tools

import _ "github.com/traefik/traefik/v3/cmd/traefik"
