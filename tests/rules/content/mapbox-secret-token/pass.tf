resource "null_resource" "deploy" {
  triggers = {
    mapbox_secret_token = "${MAPBOX_SECRET_TOKEN}"
    mapbox_secret_token_example = "<your-token-here>"
    mapbox_secret_token_old = "sk.eyJxD2WGqxtxt8SOD2e9WPuYgg"
    mapbox_secret_token_docs = "sk.eyJ000000000000000000000000.000000-00000000000000"
  }
}
