resource "null_resource" "deploy" {
  triggers = {
    confluent_api_secret = "${CONFLUENT_API_SECRET}"
    confluent_api_secret_example = "<your-token-here>"
    confluent_api_secret_old = "NC2li6Nm61hpwG6IoVPvwe+JR9OnpQzH"
    confluent_api_secret_docs = "0000000000000000000000+00000000000000000000000000000000000000000"
  }
}
