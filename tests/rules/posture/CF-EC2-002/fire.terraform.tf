# Containers on this host reach the metadata service: the hop limit was raised to 3.
locals {
  metadata = {
    http_endpoint = "enabled"
    http_tokens   = "required"
    hop_limit     = 3
  }
}

resource "aws_instance" "app" {
  ami           = "ami-0c1bc246476a5572b"
  instance_type = "t3.micro"

  metadata_options {
    http_endpoint               = local.metadata.http_endpoint
    http_tokens                 = local.metadata.http_tokens
    http_put_response_hop_limit = local.metadata.hop_limit
  }

  tags = {
    Name = "app"
  }
}
