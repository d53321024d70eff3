# Remote Desktop from the internal network only.
variable "vpc_id" {
  type = string
}

locals {
  rdp_source = "10.20.0.0/16"
}

resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "bastion"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "rdp" {
  security_group_id = aws_security_group.bastion.id
  description       = "rdp"
  ip_protocol       = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_ipv4         = local.rdp_source
}
