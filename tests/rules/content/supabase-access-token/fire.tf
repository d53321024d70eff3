resource "null_resource" "deploy" {
  triggers = {
    supabase_access_token = "sbp_c7102af9f4edae109cf3d16681af27d08d3898e0"
  }
}
