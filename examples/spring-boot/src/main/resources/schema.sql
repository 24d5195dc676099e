drop table if exists tc_example_order_items, tc_example_orders, tc_example_products, tc_example_customers;
create table tc_example_customers (id bigint primary key, name text not null);
create table tc_example_products (id bigint primary key, title text not null, price numeric(10, 2) not null);
create table tc_example_orders (id bigint primary key, customer_id bigint not null references tc_example_customers (id));
create table tc_example_order_items (
  order_id bigint not null references tc_example_orders (id),
  product_id bigint not null references tc_example_products (id),
  primary key (order_id, product_id));
insert into tc_example_customers select g, 'customer ' || g from generate_series(1, 50) g;
insert into tc_example_products select g, 'product ' || g, (g % 17) + 0.99 from generate_series(1, 100) g;
insert into tc_example_orders select g, (g % 8) + 1 from generate_series(1, 200) g;
insert into tc_example_order_items select o, ((o * 3 + k * 11) % 30) + 1 from generate_series(1, 200) o, generate_series(0, 2) k;
