package io.harvester.reload;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.xml.parsers.DocumentBuilderFactory;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;

/**
 * What one route file declares, read from its text the way Camel will read it ({@code *.camel.yaml}
 * through snakeyaml, {@code *.camel.xml} as Camel's XML DSL): route templates, templated routes and
 * plain routes with their ids. Anything else in the file (rest, routeConfiguration, beans) is counted in
 * {@link #others()}. A file that does not parse fails with its name, line and column.
 */
public record RouteDeclarations(Path file, Map<String, Template> templates, List<Use> uses, Map<String, String> routes,
                                Set<String> others) {

    /** The file suffixes of route files; any other file in routes/ is ignored (and said so). */
    public static final String YAML = ".camel.yaml";
    public static final String XML = ".camel.xml";

    /** A {@code routeTemplate}: its parameter names and those without default. */
    public record Template(String id, Set<String> parameters, Set<String> required) {
    }

    /** A {@code templatedRoute}: the route id, the template it names and its parameters. */
    public record Use(Path file, String routeId, String template, Map<String, String> parameters) {
    }

    public static boolean isRouteFile(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(YAML) || name.endsWith(XML);
    }

    /**
     * A {@code templatedRoute} without {@code routeId} gets an id Camel makes up, which a live edit cannot
     * find again to replace: like a route without id, its file is applied at the next restart only.
     */
    public static final String WITHOUT_ROUTE_ID = "templatedRoute without routeId";

    /** Route ids the file declares, templated ones included (those with a routeId), in file order. */
    public Set<String> routeIds() {
        Set<String> ids = new LinkedHashSet<>();
        uses.stream().filter(use -> use.routeId() != null).forEach(use -> ids.add(use.routeId()));
        ids.addAll(routes.keySet());
        return ids;
    }

    /** What a deleted (or empty) file declares: nothing. */
    public static RouteDeclarations none(Path file) {
        return new RouteDeclarations(file, Map.of(), List.of(), Map.of(), Set.of());
    }

    /** Reads {@code text} as the content of {@code file}; throws naming the file, line and reason when it does not parse. */
    public static RouteDeclarations parse(Path file, String text) {
        RouteDeclarations declarations = new RouteDeclarations(file, new LinkedHashMap<>(), new ArrayList<>(),
                new LinkedHashMap<>(), new LinkedHashSet<>());
        if (file.getFileName().toString().endsWith(XML)) {
            declarations.readXml(text);
        } else {
            declarations.readYaml(text);
        }
        return declarations;
    }

    private void readYaml(String text) {
        Object document;
        try {
            document = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(text);
        } catch (RuntimeException e) {
            // snakeyaml names the file, line and column itself ("in <file>, line 3, column 19")
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage().replaceAll("\\s+", " "), e);
        }
        if (!(document instanceof List<?> entries)) {
            return;
        }
        for (Object entry : entries) {
            if (!(entry instanceof Map<?, ?> item)) {
                continue;
            }
            if (item.get("routeTemplate") instanceof Map<?, ?> template) {
                Set<String> parameters = new LinkedHashSet<>();
                Set<String> required = new LinkedHashSet<>();
                for (Map<?, ?> parameter : maps(template.get("parameters"))) {
                    String name = String.valueOf(parameter.get("name"));
                    parameters.add(name);
                    if (parameter.get("defaultValue") == null && !"false".equals(String.valueOf(parameter.get("required")))) {
                        required.add(name);
                    }
                }
                String id = String.valueOf(template.get("id"));
                templates.put(id, new Template(id, parameters, required));
            } else if (item.get("templatedRoute") instanceof Map<?, ?> use) {
                Map<String, String> parameters = new LinkedHashMap<>();
                for (Map<?, ?> parameter : maps(use.get("parameters"))) {
                    parameters.put(String.valueOf(parameter.get("name")), String.valueOf(parameter.get("value")));
                }
                Object routeId = use.get("routeId");
                if (routeId == null || String.valueOf(routeId).isBlank()) {
                    others.add(WITHOUT_ROUTE_ID);
                }
                uses.add(new Use(file, routeId == null || String.valueOf(routeId).isBlank() ? null : String.valueOf(routeId),
                        String.valueOf(use.get("routeTemplateRef")), parameters));
            } else if (item.get("route") instanceof Map<?, ?> route && route.get("id") != null) {
                String from = route.get("from") instanceof Map<?, ?> f ? String.valueOf(f.get("uri")) : "";
                routes.put(String.valueOf(route.get("id")), from);
            } else {
                item.keySet().forEach(key -> others.add(String.valueOf(key)));
            }
        }
    }

    private void readXml(String text) {
        Document document;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setNamespaceAware(true);
            document = factory.newDocumentBuilder().parse(new InputSource(new StringReader(text)));
        } catch (SAXParseException e) {
            throw new IllegalArgumentException(file + ": not valid XML: line " + e.getLineNumber() + ", column "
                    + e.getColumnNumber() + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalArgumentException(file + ": not valid XML: " + e.getMessage(), e);
        }
        Element root = document.getDocumentElement();
        if (List.of("route", "routeTemplate", "templatedRoute").contains(name(root))) {
            readXmlEntry(root);
        } else {
            // <camel> (or <routes>, <routeTemplates>, <templatedRoutes>) holding the declarations
            children(root, null).forEach(this::readXmlEntry);
        }
    }

    private void readXmlEntry(Element item) {
        switch (name(item)) {
            case "routeTemplate" -> {
                Set<String> parameters = new LinkedHashSet<>();
                Set<String> required = new LinkedHashSet<>();
                for (Element parameter : children(item, "templateParameter")) {
                    String name = parameter.getAttribute("name");
                    parameters.add(name);
                    if (!parameter.hasAttribute("defaultValue") && !"false".equals(parameter.getAttribute("required"))) {
                        required.add(name);
                    }
                }
                String id = item.getAttribute("id");
                templates.put(id, new Template(id, parameters, required));
            }
            case "templatedRoute" -> {
                Map<String, String> parameters = new LinkedHashMap<>();
                for (Element parameter : children(item, "parameter")) {
                    parameters.put(parameter.getAttribute("name"), parameter.getAttribute("value"));
                }
                String routeId = item.getAttribute("routeId");
                if (routeId.isBlank()) {
                    others.add(WITHOUT_ROUTE_ID);
                }
                uses.add(new Use(file, routeId.isBlank() ? null : routeId, item.getAttribute("routeTemplateRef"), parameters));
            }
            case "route" -> {
                List<Element> from = children(item, "from");
                if (item.hasAttribute("id")) {
                    routes.put(item.getAttribute("id"), from.isEmpty() ? "" : from.get(0).getAttribute("uri"));
                } else {
                    others.add("route without id");
                }
            }
            case "routes", "routeTemplates", "templatedRoutes" -> children(item, null).forEach(this::readXmlEntry);
            default -> others.add(name(item));
        }
    }

    private static String name(Element element) {
        return element.getLocalName() != null ? element.getLocalName() : element.getTagName();
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i).getNodeType() == Node.ELEMENT_NODE && (name == null || name.equals(name((Element) nodes.item(i))))) {
                found.add((Element) nodes.item(i));
            }
        }
        return found;
    }

    private static List<Map<?, ?>> maps(Object list) {
        List<Map<?, ?>> maps = new ArrayList<>();
        if (list instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> map) {
                    maps.add(map);
                }
            }
        }
        return maps;
    }
}
