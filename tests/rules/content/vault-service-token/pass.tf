resource "null_resource" "deploy" {
  triggers = {
    vault_service_token = "${VAULT_SERVICE_TOKEN}"
    vault_service_token_example = "<your-token-here>"
    vault_service_token_old = "hvs.-n9Wb-1nuq7o0I7o_7tbFt7rnYJwzzO_b0JVR-gFmd_ygx"
    vault_service_token_docs = "hvs.-0000-0000000000_00000000000000_00000-0000_000000000000000000_000000000000000000000000000000"
  }
}
