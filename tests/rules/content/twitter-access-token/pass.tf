resource "null_resource" "deploy" {
  triggers = {
    twitter_access_token = "${TWITTER_ACCESS_TOKEN}"
    twitter_access_token_example = "<your-token-here>"
    twitter_access_token_old = "2609343511-0JWwk"
    twitter_access_token_docs = "0000000000-0000000000000000000000"
  }
}
