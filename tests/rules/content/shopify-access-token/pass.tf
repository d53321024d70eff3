resource "null_resource" "deploy" {
  triggers = {
    shopify_access_token = "${SHOPIFY_ACCESS_TOKEN}"
    shopify_access_token_example = "<your-token-here>"
    shopify_access_token_old = "shpat_72405C3406Cb1B"
    shopify_access_token_docs = "shp00_00000000000000000000000000000000"
  }
}
