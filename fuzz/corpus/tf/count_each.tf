variable "names" {
  default = { api = "optional", web = "required" }
}
locals {
  n    = length(var.names) + 1
  tags = merge({ a = "b" }, { for k, v in var.names : k => upper(v) })
}
resource "aws_instance" "pool" {
  count = local.n
  ami   = format("ami-%05d", count.index)
  metadata_options {
    http_tokens = count.index == 1 ? "required" : "optional"
  }
  dynamic "ebs_block_device" {
    for_each = var.names
    content {
      device_name = "/dev/${ebs_block_device.key}"
      encrypted   = try(ebs_block_device.value == "x", false)
    }
  }
}
resource "aws_instance" "named" {
  for_each = var.names
  metadata_options {
    http_tokens = each.value
  }
  user_data = base64encode(jsonencode({ k = each.key, l = [for s in split(",", "a,b") : s] }))
}
resource "aws_security_group" "sg" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
