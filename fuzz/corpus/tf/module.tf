module "storage" {
  source = "./modules/storage"
  count  = 2
  name   = "b-${count.index}"
}
x = provider::aws::arn_parse(var.arn).region
y = f(var.l...)
