resource "null_resource" "deploy" {
  triggers = {
    gitlab_feed_token = "${GITLAB_FEED_TOKEN}"
    gitlab_feed_token_example = "<your-token-here>"
    gitlab_feed_token_old = "glft-gfvjJ-0ugP"
    gitlab_feed_token_docs = "glft-00000-000000000000-0"
  }
}
