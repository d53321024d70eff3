# The instance starts from a launch template that requires IMDSv2.
variable "imds_tokens" {
  type    = string
  default = "required"
}

resource "aws_launch_template" "app" {
  name          = "app"
  image_id      = "ami-0c1bc246476a5572b"
  instance_type = "t3.micro"

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = var.imds_tokens
  }
}

resource "aws_instance" "app" {
  launch_template {
    id      = aws_launch_template.app.id
    version = "$Latest"
  }

  tags = {
    Name = "app"
  }
}
