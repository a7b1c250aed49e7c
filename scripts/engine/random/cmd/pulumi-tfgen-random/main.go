// pulumi-tfgen-random writes the Pulumi schema and bridge metadata the provider binary embeds.
package main

import (
	"os"

	"fastapi-k8s.local/pulumi-resource-random/info"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"
)

func main() {
	tfgen.Main("random", info.Provider(os.Getenv("VERSION"), []byte("{}")))
}
