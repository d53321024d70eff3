# An instance that still answers IMDSv1 requests.
resource "aws_instance" "app" {
  ami           = "ami-0c1bc246476a5572b"
  instance_type = "t3.micro"

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "optional"
    http_put_response_hop_limit = 1
  }

  tags = {
    Name = "app"
  }
}
