resource "null_resource" "deploy" {
  triggers = {
    nuget_api_key = "${NUGET_API_KEY}"
    nuget_api_key_example = "<your-token-here>"
    nuget_api_key_old = "oy26i4o75jne0tuv1ab7k3jw"
    nuget_api_key_docs = "oy20000000000000000000000000000000000000000000"
  }
}
