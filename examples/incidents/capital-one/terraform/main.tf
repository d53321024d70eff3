# The same root cause as template.yaml, in Terraform source: the WAF instance answers
# IMDSv1 (no metadata_options block, so http_tokens stays "optional"), and its role may list
# and read every bucket. Names are invented.

variable "waf_ami" {
  default = "ami-0a1b2c3d4e5f60718"
}

resource "aws_iam_role" "waf" {
  name = "waf-proxy-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "waf_s3" {
  name = "waf-s3-access"
  role = aws_iam_role.waf.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReadEverything"
      Effect   = "Allow"
      Action   = ["s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetObject"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_instance_profile" "waf" {
  name = "waf-proxy"
  role = aws_iam_role.waf.name
}

resource "aws_security_group" "waf" {
  name        = "waf-proxy"
  description = "WAF proxy"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "waf" {
  ami                    = var.waf_ami
  instance_type          = "m5.large"
  iam_instance_profile   = aws_iam_instance_profile.waf.name
  vpc_security_group_ids = [aws_security_group.waf.id]
  # No metadata_options: IMDSv1 answers plain GET requests, which is what the forged
  # request used.
}
