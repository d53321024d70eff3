resource "null_resource" "deploy" {
  triggers = {
    new_relic_insert_key = "1b8aa07ba3d2fc46c7457106918b7ddcd71cNRAL"
  }
}
