# The same root cause as template.yaml, in Terraform source: a search domain whose access
# policy lets anyone call it, without encryption or HTTPS, and self-managed nodes whose
# Elasticsearch and Kibana ports are open to the internet. Names are invented.

locals {
  domain = "support-search"
  open_ports = {
    elasticsearch = 9200
    kibana        = 5601
  }
}

resource "aws_opensearch_domain" "search" {
  domain_name    = local.domain
  engine_version = "Elasticsearch_7.10"
  cluster_config {
    instance_type  = "r6g.large.search"
    instance_count = 2
  }
  encrypt_at_rest {
    enabled = false
  }
  node_to_node_encryption {
    enabled = false
  }
  domain_endpoint_options {
    enforce_https = false
  }
}

resource "aws_opensearch_domain_policy" "search" {
  domain_name = aws_opensearch_domain.search.domain_name
  access_policies = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "es:*"
      Resource  = "arn:aws:es:eu-central-1:777788889999:domain/${local.domain}/*"
    }]
  })
}

resource "aws_security_group" "nodes" {
  name        = "search-nodes"
  description = "self-managed Elasticsearch nodes"

  dynamic "ingress" {
    for_each = local.open_ports
    content {
      description = ingress.key
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
