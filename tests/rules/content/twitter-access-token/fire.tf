resource "null_resource" "deploy" {
  triggers = {
    twitter_access_token = "2609343511-0JWwkXYqKHH5i6rAmHmcyY"
  }
}
