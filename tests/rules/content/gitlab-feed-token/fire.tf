resource "null_resource" "deploy" {
  triggers = {
    gitlab_feed_token = "glft-gfvjJ-0ugPEVsVI9kz-q"
  }
}
