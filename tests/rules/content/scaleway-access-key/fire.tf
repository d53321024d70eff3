resource "null_resource" "deploy" {
  triggers = {
    scaleway_access_key = "SCWDNNIVT9OMCNCESPYI"
  }
}
