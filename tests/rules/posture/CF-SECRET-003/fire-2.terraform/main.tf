# An instance whose user data template gets the database URL, password included.
variable "db_url" {
  type    = string
  default = "postgres://app:Sup3rS3cretPw@db.internal.acme.example:5432/app"
}

resource "aws_instance" "worker" {
  ami           = "ami-0c1bc246476a5572b"
  instance_type = "t3.small"

  metadata_options {
    http_tokens = "required"
  }

  user_data = templatefile("${path.module}/boot.sh.tpl", {
    db_url = var.db_url
  })
}
