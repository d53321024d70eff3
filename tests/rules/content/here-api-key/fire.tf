resource "null_resource" "deploy" {
  triggers = {
    here_api_key = "sSJLmPq98XeoLxm7mGDzjlkTcAO1yNy-G4AIvE7e89J"
  }
}
