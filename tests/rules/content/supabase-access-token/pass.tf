resource "null_resource" "deploy" {
  triggers = {
    supabase_access_token = "${SUPABASE_ACCESS_TOKEN}"
    supabase_access_token_example = "<your-token-here>"
    supabase_access_token_old = "sbp_c7102af9f4edae109cf3"
    supabase_access_token_docs = "sbp_0000000000000000000000000000000000000000"
  }
}
