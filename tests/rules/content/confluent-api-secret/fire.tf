resource "null_resource" "deploy" {
  triggers = {
    confluent_api_secret = "NC2li6Nm61hpwG6IoVPvwe+JR9OnpQzHmVYl90SKM3vr8voXOnf0k8J0YeJ9G8M0"
  }
}
