locals {
  ids = [for s in var.subnets : s.id if s.public]
  m   = { for k, v in var.m : k => v... }
  x   = aws_instance.web[*].id
  y   = var.l.*.name
  z   = !(1 + 2 * 3 >= 4 && true || null == "a")
}
