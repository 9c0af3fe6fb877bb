// A Go service provisioning a Bird channel through the published contract (contracts/, docs/callers.md):
// start (or attach to) provisionChannel by type name, wait, and read a failure's type and details.
//
//	go mod init example && go get go.temporal.io/sdk && go run . input.json
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

func main() {
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	var input map[string]any // as callers write it: contracts/provisioning-input.schema.json
	if err := json.Unmarshal(raw, &input); err != nil {
		log.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: env("TEMPORAL_ADDRESS", "127.0.0.1:7233"), Namespace: env("TEMPORAL_NAMESPACE", "default")})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	connector := input["connector"].(map[string]any)
	number := connector["arguments"].(map[string]any)["phoneNumberId"].(string)
	run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID:                       fmt.Sprintf("provision/%s/%s", strings.ToLower(input["workspaceId"].(string)), strings.ToLower(number)),
		TaskQueue:                env("TEMPORAL_TASK_QUEUE", "channel-provisioning"),
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, "provisionChannel", input)
	if err != nil {
		log.Fatal(err)
	}

	var result map[string]any // contracts/provisioning-result.schema.json
	err = run.Get(context.Background(), &result)
	var appErr *temporal.ApplicationError
	switch {
	case err == nil:
		fmt.Println("active: connector", result["connectorId"], "channel", result["channelId"])
	case errors.As(err, &appErr) && appErr.Type() == "ProvisioningFailed":
		var details map[string]any // contracts/provisioning-failure.schema.json: ProvisioningFailureDetails
		_ = appErr.Details(&details)
		fmt.Println("failed:", appErr.Message(), "undone:", details["undone"], "left:", details["leftBehind"])
	case errors.As(err, &appErr) && appErr.Type() == "InvalidProvisioningInput":
		var problems []string
		_ = appErr.Details(&problems)
		fmt.Println("invalid input:", strings.Join(problems, "; "))
	default:
		log.Fatal(err)
	}
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
