resource "null_resource" "deploy" {
  triggers = {
    webex_access_token = "0CSB38UfsuKt4A6cesAakEutTXMHDHPefn1IkUKUxwXQIK0O6y1JevTeMWbS7yCC_HI89_5bbd9-d550-eb-9f361-3f9-be61a00-1c52"
  }
}
