DROP TABLE donor_digests;
