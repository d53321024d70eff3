resource "null_resource" "deploy" {
  triggers = {
    new_relic_insert_key = "${NEW_RELIC_INSERT_KEY}"
    new_relic_insert_key_example = "<your-token-here>"
    new_relic_insert_key_old = "1b8aa07ba3d2fc46c745"
    new_relic_insert_key_docs = "0000000000000000000000000000000000000000"
  }
}
