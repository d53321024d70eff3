resource "null_resource" "deploy" {
  triggers = {
    zendesk_api_token = "rEmpaBopqvo4nBDsTYMvAujsXE19J6B7UzbifO2C"
  }
}
