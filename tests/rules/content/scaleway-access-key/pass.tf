resource "null_resource" "deploy" {
  triggers = {
    scaleway_access_key = "${SCALEWAY_ACCESS_KEY}"
    scaleway_access_key_example = "<your-token-here>"
    scaleway_access_key_old = "SCWDNNIVT9O"
    scaleway_access_key_docs = "SCW00000000000000000"
  }
}
