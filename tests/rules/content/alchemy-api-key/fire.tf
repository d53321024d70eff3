resource "null_resource" "deploy" {
  triggers = {
    alchemy_api_key = "oUkarVPyWfRwH0fn5K6Rp7G1RL3WpH1b"
  }
}
