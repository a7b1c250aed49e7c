// Go only lets packages under the upstream module's path import its internal/provider, so this
// one-function module carries that path. It is ours; it is never published.
module github.com/terraform-providers/terraform-provider-random/shim

go 1.22.7
