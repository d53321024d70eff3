# The template gets the name of an SSM parameter; the worker fetches the URL itself.
variable "db_url_parameter" {
  type    = string
  default = "/prod/worker/database-url"
}

resource "aws_instance" "worker" {
  ami           = "ami-0c1bc246476a5572b"
  instance_type = "t3.small"

  metadata_options {
    http_tokens = "required"
  }

  user_data = templatefile("${path.module}/boot.sh.tpl", {
    db_url_parameter = var.db_url_parameter
  })
}
