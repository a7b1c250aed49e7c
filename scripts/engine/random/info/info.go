// Package info maps the Terraform random provider onto the tokens the @pulumi/random SDK uses.
package info

import (
	"context"

	pfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/terraform-providers/terraform-provider-random/shim"
)

// resources pairs each Terraform resource with the class name the SDK registers.
var resources = map[string]string{
	"random_bytes":    "RandomBytes",
	"random_id":       "RandomId",
	"random_integer":  "RandomInteger",
	"random_password": "RandomPassword",
	"random_pet":      "RandomPet",
	"random_shuffle":  "RandomShuffle",
	"random_string":   "RandomString",
	"random_uuid":     "RandomUuid",
}

// Provider describes the bridged provider; metadata is the bridge-metadata.json written by tfgen.
func Provider(version string, metadata []byte) tfbridge.ProviderInfo {
	mapped := make(map[string]*tfbridge.ResourceInfo, len(resources))
	for tfName, class := range resources {
		mapped[tfName] = &tfbridge.ResourceInfo{Tok: tfbridge.MakeResource("random", "index", class)}
	}
	return tfbridge.ProviderInfo{
		P:            pfbridge.ShimProvider(shim.NewProvider()),
		Name:         "random",
		Version:      version,
		Description:  "Generates random values (Terraform's random provider, bridged).",
		License:      "Apache-2.0",
		GitHubOrg:    "hashicorp",
		Resources:    mapped,
		MetadataInfo: tfbridge.NewProviderMetadata(metadata),
		JavaScript:   &tfbridge.JavaScriptInfo{PackageName: "@pulumi/random"},
	}
}

// Context is the context both binaries run under.
func Context() context.Context { return context.Background() }
