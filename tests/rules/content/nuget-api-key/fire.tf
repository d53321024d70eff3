resource "null_resource" "deploy" {
  triggers = {
    nuget_api_key = "oy26i4o75jne0tuv1ab7k3jwvi4jghjxxhos8ndtps088h"
  }
}
