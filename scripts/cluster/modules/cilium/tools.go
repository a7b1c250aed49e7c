//go:build tools

// The wrapper module that pins Cilium for scripts/cluster/build.sh: the operator (LoadBalancer
// addresses), the agent and its CNI plugin (NetworkPolicy enforcement, chained after the bridge).
package tools

import (
	_ "github.com/cilium/cilium/daemon/cmd"
	_ "github.com/cilium/cilium/operator/cmd"
	_ "github.com/cilium/cilium/plugins/cilium-cni/cmd"
)
