resource "aws_s3_bucket" "logs" {
  bucket = "acme-${var.env}-logs"
  acl    = var.public ? "public-read" : "private"
  tags = merge(local.tags, { Name = "logs" })
}
