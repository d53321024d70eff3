resource "null_resource" "deploy" {
  triggers = {
    mapbox_secret_token = "sk.eyJxD2WGqxtxt8SOD2e9WPuYggW.pZ5UgS-WE30rOCYJPBKhG"
  }
}
