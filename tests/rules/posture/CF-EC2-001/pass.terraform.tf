# An instance that requires IMDSv2 session tokens.
resource "aws_instance" "app" {
  ami           = "ami-0c1bc246476a5572b"
  instance_type = "t3.micro"

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  tags = {
    Name = "app"
  }
}
