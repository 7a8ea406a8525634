-- Demo keyword tasks of the dev profile: the generation at start-up turns them into task sets in the
-- embedded Redis (README, "Task dispatch"). They live in the product's own dispatch tables (public schema),
-- which the demo only fills.
insert into public.task_for_keyword (keyword, market_place_code, crawl_object, frequent, ds, enabled) values
    ('running shoes', 'US', 'product_details', 0, to_char(now(), 'YYYYMMDD'), true),
    ('rain jacket', 'US', 'product_details', 6, to_char(now(), 'YYYYMMDD'), true),
    ('desk lamp', 'DE', 'product_details', 12, to_char(now(), 'YYYYMMDD'), true),
    ('1001', 'US', 'category', 0, to_char(now(), 'YYYYMMDD'), true),
    ('9999', 'US', 'category', 0, to_char(now(), 'YYYYMMDD'), true);
insert into public.category_list_info (category_id, category_name, marketplace_id, list_type, url) values
    ('1001', 'Outdoor', 'US', 'bestsellers', 'http://localhost:8080/demo/api/categories/1001');
