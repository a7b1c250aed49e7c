//go:build tools

// The wrapper module that pins Cilium's operator for scripts/cluster/build.sh.
package tools

import _ "github.com/cilium/cilium/operator/cmd"
