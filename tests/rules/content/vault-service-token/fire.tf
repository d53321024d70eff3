resource "null_resource" "deploy" {
  triggers = {
    vault_service_token = "hvs.-n9Wb-1nuq7o0I7o_7tbFt7rnYJwzzO_b0JVR-gFmd_ygxH4X28RKhF0kDlUp_w7WrOB2CioriFn6PUg3HtgsUuhTkWK"
  }
}
