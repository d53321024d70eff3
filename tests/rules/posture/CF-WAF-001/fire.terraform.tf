# An internet-facing application load balancer without a web ACL.
variable "public_subnet_ids" {
  type = list(string)
}

resource "aws_lb" "public" {
  name                       = "acme-public"
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.public_subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = true
}
